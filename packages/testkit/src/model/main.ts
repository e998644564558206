import { startScriptedModel } from './server'

// Standalone: `bun packages/testkit/src/model/main.ts` (PORT, optional MODEL_API_KEY).
const model = await startScriptedModel({
  port: Number(process.env.PORT ?? 3200),
  apiKey: process.env.MODEL_API_KEY || undefined,
})
console.log(`Scripted model on ${model.url}`)
