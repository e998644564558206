import { readEnvOrExit } from '@bosun/service-kit/lifecycle'
import { createLogger } from '@bosun/service-kit/log'
import { createApp } from './app'
import { readEnv } from './env'
import { gatewayServer } from './server'

const env = readEnvOrExit('gateway', readEnv)
const logger = createLogger('gateway', env.LOG_LEVEL)
const server = Bun.serve(gatewayServer({ env, app: createApp({ logger }), logger }))
logger.info('listening', { url: `http://${env.HOST}:${server.port}` })
const stop = async () => {
  await server.stop()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
