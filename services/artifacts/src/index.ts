import { runService } from '@bosun/service-kit/lifecycle'
import { createApp } from './app'
import { readEnv } from './env'
import { startArtifacts } from './start'

await runService({ name: 'artifacts', readEnv, start: startArtifacts, app: createApp })
