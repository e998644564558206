import { afterAll, beforeAll, expect, test } from 'bun:test'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { connect } from 'nats'
import { type NatsServer, natsAnswers, startNats } from '../src/nats'

let nats: NatsServer
beforeAll(async () => {
  nats = await startNats()
})
afterAll(() => nats.stop())

test('the test NATS takes only authenticated connections; the URL carries the token', async () => {
  const { servers, token } = natsConnectOptions(nats.url)
  expect(token).toMatch(/^[0-9a-f]{48}$/)
  await expect(connect({ servers, timeout: 2000, maxReconnectAttempts: 0 })).rejects.toThrow()
  await expect(connect({ servers, token: 'wrong', timeout: 2000, maxReconnectAttempts: 0 })).rejects.toThrow()
  expect(await natsAnswers(servers)).toBe(false)
  expect(await natsAnswers(nats.url)).toBe(true)
})

test('credentials in a NATS URL become connection options', () => {
  expect(natsConnectOptions('nats://127.0.0.1:4222')).toEqual({ servers: 'nats://127.0.0.1:4222' })
  expect(natsConnectOptions('nats://s3cret@10.0.0.1:4222')).toEqual({
    servers: 'nats://10.0.0.1:4222',
    token: 's3cret',
  })
  expect(natsConnectOptions('tls://bosun:p%40ss@nats.example:4443')).toEqual({
    servers: 'tls://nats.example:4443',
    user: 'bosun',
    pass: 'p@ss',
  })
  expect(natsConnectOptions('nats://a:4222,nats://b:4222')).toEqual({
    servers: 'nats://a:4222,nats://b:4222',
  })
})
