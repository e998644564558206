/**
 * The minimal page until the UI issue lands: who is signed in, their workspaces, or a sign-in link.
 * Plain DOM, no framework; every value goes through textContent, never innerHTML.
 */
export const indexPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Bosun</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem}a.button{display:inline-block;padding:.5rem 1rem;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none}
.muted{color:#59636e}li{margin:.25rem 0}code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
</style></head>
<body>
<h1>Bosun</h1>
<p class="muted">The control room for a team that works on GitHub with AI coding agents.</p>
<div id="app"><p class="muted">Loading…</p></div>
<script>
const app = document.getElementById('app')
const el = (tag, text, attrs = {}) => { const e = document.createElement(tag); if (text) e.textContent = text; Object.assign(e, attrs); return e }
async function main() {
  const params = new URLSearchParams(location.search)
  const res = await fetch('/api/auth/session', { credentials: 'include' })
  app.replaceChildren()
  if (params.get('error')) app.append(el('p', 'Sign-in refused: ' + params.get('error'), { className: 'muted' }))
  if (res.status !== 200) {
    app.append(el('a', 'Sign in with GitHub', { href: '/api/auth/github', className: 'button' }))
    return
  }
  const session = await res.json()
  app.append(el('p', 'Signed in as ' + session.user.login + ' (' + session.user.role + ')'))
  const list = await fetch('/api/workspaces', { credentials: 'include' }).then((r) => r.json())
  app.append(el('h2', 'Workspaces'))
  const ul = el('ul')
  for (const w of list.results ?? []) ul.append(el('li', w.name + ' — ' + w.id + ' (' + w.memberCount + ' members)'))
  if (!ul.children.length) ul.append(el('li', 'No workspace yet.', { className: 'muted' }))
  app.append(ul)
  const out = el('button', 'Sign out')
  out.onclick = async () => { await fetch('/api/auth/logout', { method: 'POST', credentials: 'include' }); location.href = '/' }
  app.append(out)
}
main().catch((e) => { app.textContent = 'Could not load: ' + e.message })
</script>
</body></html>`
