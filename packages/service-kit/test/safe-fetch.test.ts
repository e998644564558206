import { describe, expect, test } from 'bun:test'
import { startCanary } from '@bosun/testkit/canary'
import { checkTarget, checkUrl, isForbiddenAddress, OutboundRefused, safeFetch } from '../src/safe-fetch'

describe('safe-fetch', () => {
  test('classifies addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:8.8.8.8',
      '::8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
      'fd00:ec2::254',
      'fe80::1',
      'ff02::1',
      'not-an-ip',
    ])
      expect({ ip, forbidden: isForbiddenAddress(ip) }).toEqual({ ip, forbidden: true })
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1'])
      expect({ ip, forbidden: isForbiddenAddress(ip) }).toEqual({ ip, forbidden: false })
  })

  test('refuses odd URL forms before parsing normalises them', () => {
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://a@b/',
      'http://x.com./',
      'ftp://x.com/',
      'http://x%2ecom/',
    ])
      expect(() => checkUrl(url)).toThrow(OutboundRefused)
    expect(checkUrl('https://api.openai.com/v1').hostname).toBe('api.openai.com')
  })

  test('every resolved address must be public', async () => {
    const url = new URL('https://mixed.example/')
    const resolve = async () => [
      { address: '8.8.8.8', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ]
    await expect(checkTarget(url, { resolve })).rejects.toThrow(OutboundRefused)
    const publicOnly = async () => [{ address: '8.8.8.8', family: 4 }]
    expect(await checkTarget(url, { resolve: publicOnly })).toEqual({ address: '8.8.8.8', family: 4 })
  })

  test('connects to the checked address (not a fresh lookup) and caps the body', async () => {
    const canary = startCanary()
    try {
      const resolve = async () => [{ address: '127.0.0.1', family: 4 }]
      const res = await safeFetch(`http://pinned.example:${canary.port}/x`, {
        resolve,
        allowHosts: [`pinned.example:${canary.port}`],
        maxBytes: 6,
      })
      expect(res.status).toBe(200)
      expect(res.truncated).toBe(true)
      expect(new TextDecoder().decode(res.body)).toBe('canary')
      expect(canary.hits).toEqual(['GET /x'])
      await expect(safeFetch(`http://pinned.example:${canary.port}/y`, { resolve })).rejects.toThrow(
        OutboundRefused,
      )
      expect(canary.hits).toHaveLength(1)
    } finally {
      canary.stop()
    }
  })
})
