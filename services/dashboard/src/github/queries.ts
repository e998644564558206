/**
 * The GraphQL queries the dashboard sends, validated against GitHub's published schema in the tests. A page of
 * open pull requests costs 1 + 5 x `first` requests in GitHub's accounting (labels, review requests, reviews,
 * threads, check contexts per PR): 5 points for 100 pull requests. Thread comments are asked only for threads
 * that are unresolved, by id, so they do not multiply the page's cost.
 */
const CONTEXT_FIELDS =
  'pageInfo { hasNextPage endCursor } nodes { __typename ... on CheckRun { databaseId name status conclusion } ... on StatusContext { context state } }'
const REVIEW_FIELDS =
  'pageInfo { hasNextPage endCursor } nodes { author { __typename login } state submittedAt }'
const THREAD_COMMENTS = 'comments(last: 100) { nodes { createdAt } }'
const threadFields = (comments: boolean) =>
  `pageInfo { hasNextPage endCursor } nodes { id isResolved ${comments ? THREAD_COMMENTS : ''} }`

const pullFields = (comments: boolean) => `
  number title url isDraft createdAt updatedAt baseRefName headRefOid
  author { __typename login avatarUrl }
  headRef { target { ... on Commit { committedDate } } }
  labels(first: 100) { nodes { name color } }
  reviewRequests(first: 100) { nodes { requestedReviewer { __typename ... on User { login } ... on Bot { login } ... on Mannequin { login } } } }
  reviews(first: 100) { ${REVIEW_FIELDS} }
  reviewThreads(first: 100) { ${threadFields(comments)} }
  statusCheckRollup { contexts(first: 100) { ${CONTEXT_FIELDS} } }`

const RATE = 'rateLimit { cost limit remaining resetAt }'

export const PULLS_PAGE = `query PullsPage($owner: String!, $name: String!, $first: Int!, $after: String) {
  ${RATE}
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { ${pullFields(false)} }
    }
  }
}`

/** One pull request with its thread comments: what an event about it costs to refresh (1 point). */
export const ONE_PULL = `query OnePull($owner: String!, $name: String!, $number: Int!) {
  ${RATE}
  repository(owner: $owner, name: $name) { pullRequest(number: $number) { state ${pullFields(true)} } }
}`

export const THREAD_COMMENTS_BY_ID = `query ThreadComments($ids: [ID!]!) {
  ${RATE}
  nodes(ids: $ids) { ... on PullRequestReviewThread { id ${THREAD_COMMENTS} } }
}`

/** The rest of a connection past its first 100 (many check runs, reviews or threads on one pull request). */
const more = (
  connection: string,
  fields: string,
) => `query More($owner: String!, $name: String!, $number: Int!, $after: String!) {
  ${RATE}
  repository(owner: $owner, name: $name) { pullRequest(number: $number) { ${connection}(first: 100, after: $after) { ${fields} } } }
}`
export const MORE_CONTEXTS = more('statusCheckRollup { contexts', `${CONTEXT_FIELDS} }`)
export const MORE_REVIEWS = more('reviews', REVIEW_FIELDS)
export const MORE_THREADS = more('reviewThreads', threadFields(true))

export const ALL_QUERIES = {
  PULLS_PAGE,
  ONE_PULL,
  THREAD_COMMENTS_BY_ID,
  MORE_CONTEXTS,
  MORE_REVIEWS,
  MORE_THREADS,
}

type Page<T> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: T[] }
export type GqlActor = { __typename: string; login: string; avatarUrl?: string } | null
export type GqlContext =
  | { __typename: 'CheckRun'; databaseId: number; name: string; status: string; conclusion: string | null }
  | { __typename: 'StatusContext'; context: string; state: string }
export type GqlReview = { author: GqlActor; state: string; submittedAt: string | null }
export type GqlThread = {
  id: string
  isResolved: boolean
  comments?: { nodes: Array<{ createdAt: string }> }
}
export type GqlPull = {
  state?: string
  number: number
  title: string
  url: string
  isDraft: boolean
  createdAt: string
  updatedAt: string
  baseRefName: string
  headRefOid: string
  author: GqlActor
  headRef: { target: { committedDate?: string } | null } | null
  labels: { nodes: Array<{ name: string; color: string }> }
  reviewRequests: { nodes: Array<{ requestedReviewer: { __typename: string; login?: string } | null }> }
  reviews: Page<GqlReview>
  reviewThreads: Page<GqlThread>
  statusCheckRollup: { contexts: Page<GqlContext> } | null
}
export type GqlRate = { cost: number; limit: number; remaining: number; resetAt: string }
export type PullsPageData = {
  rateLimit: GqlRate
  repository: { pullRequests: Page<GqlPull> & { totalCount: number } } | null
}
export type OnePullData = { rateLimit: GqlRate; repository: { pullRequest: GqlPull | null } | null }
export type ThreadCommentsData = { rateLimit: GqlRate; nodes: Array<GqlThread | null> }
export type MoreData<K extends string, T> = {
  rateLimit: GqlRate
  repository: { pullRequest: Record<K, Page<T>> | null } | null
}
