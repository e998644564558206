import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startAuth } from './start'

await runService({ name: 'auth', readEnv, start: startAuth, app: createApp })
