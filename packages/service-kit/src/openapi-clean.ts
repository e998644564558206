type ResponseObject = {
  description?: string
  content?: Record<string, unknown> & { type?: string; description?: string }
}

/**
 * Elysia's OpenAPI output writes `t.Void()` responses (204, redirects) as `content: { type: 'void', ... }`,
 * which is not OpenAPI: a response without a body has no `content`. This rewrites those entries.
 */
export function cleanOpenApi(spec: unknown): unknown {
  const paths = (
    spec as { paths?: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>> }
  ).paths
  for (const ops of Object.values(paths ?? {})) {
    // WebSocket routes come out under a `ws` method, which OpenAPI lacks: they are GETs that upgrade.
    const ws = ops.ws
    if (ws) {
      ops.get = {
        ...ws,
        responses: {
          101: { description: 'Switching Protocols: the WebSocket is open' },
          401: { description: 'Not signed in, or the credential is invalid' },
          404: { description: 'Not found, or not visible to the caller' },
        },
      }
      delete ops.ws
    }
    for (const op of Object.values(ops)) {
      for (const res of Object.values(op.responses ?? {})) {
        const content = res.content
        if (!content) continue
        const media = Object.values(content) as Array<{ schema?: { type?: string } }>
        const isVoid =
          content.type === 'void' || (media.length > 0 && media.every((m) => m?.schema?.type === 'void'))
        if (!isVoid) continue
        res.description = res.description ?? content.description ?? 'No content'
        delete res.content
      }
    }
  }
  return spec
}
