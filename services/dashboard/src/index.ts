import { EnvError } from '@bosun/service-kit/env'
import { serve } from '@bosun/service-kit/lifecycle'
import { createLogger } from '@bosun/service-kit/log'
import { createApp } from './app'
import { readEnv } from './env'
import { startDashboard } from './start'

const env = (() => {
  try {
    return readEnv()
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`dashboard: ${err.message}`)
      process.exit(1)
    }
    throw err
  }
})()
const logger = createLogger('dashboard', env.LOG_LEVEL)
const { deps, stop } = await startDashboard(env, logger)
serve({ app: createApp(deps), port: env.PORT, hostname: env.HOST, logger, onStop: stop })
