import { EnvError } from '@bosun/service-kit/env'
import { serve } from '@bosun/service-kit/lifecycle'
import { createLogger } from '@bosun/service-kit/log'
import { createApp } from './app'
import { readEnv } from './env'
import { startArtifacts } from './start'

const env = (() => {
  try {
    return readEnv()
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`artifacts: ${err.message}`)
      process.exit(1)
    }
    throw err
  }
})()
const logger = createLogger('artifacts', env.LOG_LEVEL)
const { deps, stop } = await startArtifacts(env, logger)
serve({ app: createApp(deps), port: env.PORT, hostname: env.HOST, logger, onStop: stop })
