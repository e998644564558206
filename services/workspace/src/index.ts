import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startWorkspace } from './start'

await runService({ name: 'workspace', readEnv, start: startWorkspace, app: createApp })
