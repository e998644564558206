import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startAica } from './start'

await runService({ name: 'aica', readEnv, start: startAica, app: createApp })
