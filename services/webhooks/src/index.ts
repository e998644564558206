import { MAX_WEBHOOK_BYTES } from '@bosun/contracts/webhooks'
import { EnvError } from '@bosun/service-kit/env'
import { serve } from '@bosun/service-kit/lifecycle'
import { createLogger } from '@bosun/service-kit/log'
import { createApp } from './app'
import { readEnv } from './env'
import { startWebhooks } from './start'

const env = (() => {
  try {
    return readEnv()
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`webhooks: ${err.message}`)
      process.exit(1)
    }
    throw err
  }
})()
const logger = createLogger('webhooks', env.LOG_LEVEL)
const { deps, stop } = await startWebhooks(env, logger)
serve({
  app: createApp(deps),
  port: env.PORT,
  hostname: env.HOST,
  logger,
  // Above the ingress limit, so the route answers 413 itself with the error shape.
  maxRequestBodySize: MAX_WEBHOOK_BYTES + 1024 * 1024,
  onStop: stop,
})
