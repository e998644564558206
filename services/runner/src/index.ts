import { EnvError } from '@bosun/service-kit/env'
import { serve } from '@bosun/service-kit/lifecycle'
import { createLogger } from '@bosun/service-kit/log'
import { createApp } from './app'
import { readEnv } from './env'
import { startRunner } from './start'

const env = (() => {
  try {
    return readEnv()
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`runner: ${err.message}`)
      process.exit(1)
    }
    throw err
  }
})()
const logger = createLogger('runner', env.LOG_LEVEL)
const { deps, stop } = await startRunner(env, logger)
serve({ app: createApp(deps), port: env.PORT, hostname: env.HOST, logger, onStop: stop })
