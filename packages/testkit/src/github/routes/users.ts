import { HttpError, json, notFound, type Router } from '../http'
import { fullOrgShape, privateUserShape, publicUserShape } from '../shapes'

export function userRoutes(r: Router) {
  r.on('GET', '/user', (ctx) => {
    const p = ctx.principal
    if (p.kind !== 'user') throw new HttpError(p.kind === 'anonymous' ? 401 : 403, 'Requires authentication')
    return json(privateUserShape(ctx.base, p.user))
  })
  r.on('GET', '/users/:login', (ctx) => {
    const user = ctx.state.user(ctx.params.login!)
    if (!user) throw notFound()
    return json(publicUserShape(ctx.base, user))
  })
  r.on('GET', '/orgs/:org', (ctx) => {
    const org = ctx.state.user(ctx.params.org!)
    if (org?.type !== 'Organization') throw notFound()
    const repos = [...ctx.state.repos.values()].filter((x) => x.owner.id === org.id && !x.private)
    return json(fullOrgShape(ctx.base, org, repos.length))
  })
}
