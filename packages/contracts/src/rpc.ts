import type { Static, TSchema } from 'elysia'

/** A request/reply endpoint on `<prefix>.svc.<service>.<op>`, typed both ways and validated on both sides. */
export type RpcDef<Req extends TSchema = TSchema, Res extends TSchema = TSchema> = {
  service: string
  op: string
  request: Req
  response: Res
  description: string
  /** The answer is a secret: encrypted to a key the requester makes for this one request (service-kit's bus). */
  sealed?: boolean
}

export function defineRpc<Req extends TSchema, Res extends TSchema>(
  service: string,
  op: string,
  request: Req,
  response: Res,
  description: string,
  opts: { sealed?: boolean } = {},
): RpcDef<Req, Res> {
  return { service, op, request, response, description, ...opts }
}

export type RpcRequest<D extends RpcDef> = Static<D['request']>
export type RpcResponse<D extends RpcDef> = Static<D['response']>
