import { MAX_WEBHOOK_BYTES } from '@bosun/contracts/webhooks'
import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startWebhooks } from './start'

await runService({
  name: 'webhooks',
  readEnv,
  start: startWebhooks,
  app: createApp,
  // Above the ingress limit, so the route answers 413 itself with the error shape.
  maxRequestBodySize: MAX_WEBHOOK_BYTES + 1024 * 1024,
})
