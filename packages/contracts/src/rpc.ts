import type { Static, TSchema } from 'elysia'

/** A request/reply endpoint on `<prefix>.svc.<service>.<op>`, typed both ways and validated on both sides. */
export type RpcDef<Req extends TSchema = TSchema, Res extends TSchema = TSchema> = {
  service: string
  op: string
  request: Req
  response: Res
  description: string
}

export function defineRpc<Req extends TSchema, Res extends TSchema>(
  service: string,
  op: string,
  request: Req,
  response: Res,
  description: string,
): RpcDef<Req, Res> {
  return { service, op, request, response, description }
}

export type RpcRequest<D extends RpcDef> = Static<D['request']>
export type RpcResponse<D extends RpcDef> = Static<D['response']>
