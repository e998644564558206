import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startRunner } from './start'

await runService({ name: 'runner', readEnv, start: startRunner, app: createApp })
