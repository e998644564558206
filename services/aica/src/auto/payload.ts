import { AUTO_PROMPT_BODY_MAX, AUTO_PROMPT_TITLE_MAX } from '@bosun/contracts/aica-admin'

export type AutoIssue = {
  number: number
  title: string
  body: string
  sender: string | undefined
  label?: string
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** Cuts `text` to `max` characters, saying so, so a 1 MB title cannot become a 1 MB prompt. */
const bounded = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}\n[cut at ${max} of ${text.length} characters]`

/**
 * The parts of an `issues` payload that become work, checked: GitHub's payload is data from outside (a forged or
 * replayed one is signed all the same), so an issue number must be a positive integer and the title a string.
 * Returns why not, when it is not fit to become work.
 */
export function readIssue(payload: unknown): AutoIssue | string {
  if (!isObject(payload) || !isObject(payload.issue)) return 'malformed payload: no issue'
  const { number, title, body } = payload.issue
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
    return 'malformed payload: the issue number is not a positive integer'
  if (typeof title !== 'string' || title.trim() === '') return 'malformed payload: the issue has no title'
  if (body !== undefined && body !== null && typeof body !== 'string')
    return 'malformed payload: the issue body is not text'
  const sender =
    isObject(payload.sender) && typeof payload.sender.login === 'string' ? payload.sender.login : undefined
  const label =
    isObject(payload.label) && typeof payload.label.name === 'string' ? payload.label.name : undefined
  return {
    number,
    title: bounded(title, AUTO_PROMPT_TITLE_MAX),
    body: bounded(body ?? '', AUTO_PROMPT_BODY_MAX),
    sender,
    label,
  }
}
