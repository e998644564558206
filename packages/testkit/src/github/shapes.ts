import type { GhUser } from './state'

/** GitHub's REST shapes, built from emulator state. */
export function userShape(base: string, u: GhUser) {
  const api = `${base}/users/${u.login}`
  return {
    login: u.login,
    id: u.id,
    node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
    avatar_url: `${base}/avatars/${u.login}`,
    gravatar_id: '',
    url: api,
    html_url: `${base}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    site_admin: false,
  }
}

export function privateUserShape(base: string, u: GhUser) {
  return {
    ...userShape(base, u),
    name: u.name,
    company: null,
    blog: '',
    location: null,
    email: u.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.createdAt,
    updated_at: u.createdAt,
  }
}

export const ghError = (status: number, message: string) =>
  Response.json(
    { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
    { status },
  )
