import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startDashboard } from './start'

await runService({ name: 'dashboard', readEnv, start: startDashboard, app: createApp })
