// The baseline: a bare Bun.serve answering GET with a small JSON body, run as its own process.
const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  fetch: () => Response.json({ status: 'ok' }),
})
console.log(server.port)
