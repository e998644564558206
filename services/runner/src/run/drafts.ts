/**
 * The draft-comment convention: the agent writes a fenced block with the info string `draft-comment`,
 * optionally naming its target (`draft-comment owner/repo#12` or `draft-comment #12`); the runner lifts
 * each block into a `draft_comment` item that a person can apply to GitHub.
 */
export const DRAFT_FENCE = 'draft-comment'

export type Draft = { body: string; target?: { repo: string; issueNumber: number } }

const BLOCK = /```draft-comment[ \t]*([^\n]*)\n([\s\S]*?)\n```/g
const FULL_REF = /([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)/

export function draftsIn(text: string): Draft[] {
  return [...text.matchAll(BLOCK)]
    .map((m) => {
      const body = (m[2] ?? '').trim()
      const info = (m[1] ?? '').trim()
      const full = info.match(FULL_REF)
      if (full) return { body, target: { repo: full[1]!, issueNumber: Number(full[2]) } }
      return { body }
    })
    .filter((d) => d.body.length > 0 && d.body.length <= 65_536)
}

/** The issue a prompt is about, when it names one: `owner/repo#12`, an issues/pull URL, or `#12`. */
export function issueIn(prompt: string, repo: string): { repo: string; issueNumber: number } | undefined {
  const full = prompt.match(FULL_REF)
  if (full) return { repo: full[1]!, issueNumber: Number(full[2]) }
  const url = prompt.match(/\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/(?:issues|pull)\/(\d+)/)
  if (url) return { repo: url[1]!, issueNumber: Number(url[2]) }
  const short = prompt.match(/(?:^|\s)#(\d+)\b/)
  if (short) return { repo, issueNumber: Number(short[1]) }
  return undefined
}
