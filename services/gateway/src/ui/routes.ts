import { Elysia, t } from 'elysia'
import { indexPage } from './page'

const html = () => new Response(indexPage, { headers: { 'content-type': 'text/html; charset=utf-8' } })

export function uiRoutes() {
  return new Elysia()
    .get('/', html, {
      detail: { operationId: 'gatewayIndex', tags: ['ui'], summary: 'The web UI', security: [] },
      response: { 200: t.String({ description: 'HTML' }) },
    })
    .get('/login', html, {
      detail: { operationId: 'gatewayLogin', tags: ['ui'], summary: 'Sign-in page', security: [] },
      response: { 200: t.String({ description: 'HTML' }) },
    })
}
