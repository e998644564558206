import { type Static, t } from 'elysia'
import { WorkspaceId } from './workspace'

/**
 * Human in the loop: what the agent may do on its own, what waits for a person, and what is refused.
 * The policy is fixed per thread at dispatch; the runner turns it into opencode's `permission` config.
 */
export const PermissionAction = t.Union([t.Literal('allow'), t.Literal('ask'), t.Literal('deny')])
export type PermissionAction = Static<typeof PermissionAction>

/** An opencode permission kind: edit, bash, webfetch, external_directory, … (`*` sets the rest). */
export const PermissionKind = t.String({ pattern: '^(\\*|[a-z][a-z_]{0,49})$' })

export const PermissionPolicy = t.Object(
  {
    rules: t.Record(PermissionKind, PermissionAction, {
      maxProperties: 32,
      additionalProperties: false,
      description: 'Per opencode permission kind; kinds not named follow opencode (mostly allow)',
    }),
    /** Bash commands allowed without asking, as opencode patterns (`git status*`); over `rules.bash`. */
    bashAllow: t.Array(t.String({ minLength: 1, maxLength: 500 }), { maxItems: 100 }),
    /** `ask`: the agent's questions wait for a person; `deny`: they are declined at once. */
    questions: t.Union([t.Literal('ask'), t.Literal('deny')]),
  },
  { title: 'PermissionPolicy' },
)
export type PermissionPolicy = Static<typeof PermissionPolicy>

/** Today's behaviour, kept as the default: the sandbox is the boundary, questions reach the thread's owner. */
export const DEFAULT_PERMISSION_POLICY: PermissionPolicy = {
  rules: { edit: 'allow', bash: 'allow', webfetch: 'allow' },
  bashAllow: [],
  questions: 'ask',
}

/**
 * An unattended (`aica:auto`) thread never waits on a person: every `ask` becomes `deny` and its questions
 * are declined, as opencode's own GitHub runner runs.
 */
export function unattended(policy: PermissionPolicy): PermissionPolicy {
  const rules: Record<string, PermissionAction> = {}
  for (const [kind, action] of Object.entries(policy.rules)) rules[kind] = action === 'ask' ? 'deny' : action
  return { rules, bashAllow: policy.bashAllow, questions: 'deny' }
}

export const PermissionDefaults = t.Object(
  {
    workspaceId: WorkspaceId,
    /** For threads people dispatch. */
    people: PermissionPolicy,
    /** For `aica:auto` threads; an `ask` here is applied as `deny`. */
    auto: PermissionPolicy,
  },
  { title: 'PermissionDefaults' },
)
export type PermissionDefaults = Static<typeof PermissionDefaults>
export const PermissionDefaultsSet = t.Object(
  {
    workspace: t.Optional(WorkspaceId),
    people: t.Optional(PermissionPolicy),
    auto: t.Optional(PermissionPolicy),
  },
  { title: 'PermissionDefaultsSet' },
)

export const PermissionDecision = t.Union([t.Literal('once'), t.Literal('always'), t.Literal('reject')])
export type PermissionDecision = Static<typeof PermissionDecision>

/** One question of opencode's question tool. */
export const Question = t.Object({
  question: t.String({ maxLength: 4000 }),
  header: t.Optional(t.String({ maxLength: 200 })),
  options: t.Array(
    t.Object({ label: t.String({ maxLength: 500 }), description: t.Optional(t.String({ maxLength: 2000 })) }),
    { maxItems: 50 },
  ),
  multiple: t.Optional(t.Boolean()),
})
export type Question = Static<typeof Question>
/** One answer per question, each the chosen labels or typed text. */
export const QuestionAnswers = t.Array(t.Array(t.String({ maxLength: 10_000 }), { maxItems: 50 }), {
  maxItems: 20,
})

/** What the agent asks (relay `ask`, and the ledger's request). */
export const HumanAsk = t.Union([
  t.Object({
    kind: t.Literal('permission'),
    /** The opencode permission kind, e.g. `bash`. */
    permission: t.String({ maxLength: 200 }),
    patterns: t.Array(t.String({ maxLength: 4000 }), { maxItems: 50 }),
    description: t.String({ maxLength: 4000 }),
  }),
  t.Object({ kind: t.Literal('question'), questions: t.Array(Question, { minItems: 1, maxItems: 20 }) }),
])
export type HumanAsk = Static<typeof HumanAsk>

/** What a person (or the policy) answered (relay `answer`). */
export const HumanReply = t.Union([
  t.Object({
    kind: t.Literal('permission'),
    decision: PermissionDecision,
    message: t.Optional(t.String({ maxLength: 4000 })),
  }),
  t.Object({ kind: t.Literal('question'), answers: QuestionAnswers }),
  t.Object({ kind: t.Literal('question_rejected') }),
])
export type HumanReply = Static<typeof HumanReply>

export const PermissionAnswer = t.Object(
  { decision: PermissionDecision, message: t.Optional(t.String({ maxLength: 4000 })) },
  { title: 'PermissionAnswer' },
)
export const QuestionAnswer = t.Object(
  {
    answer: t.Union(
      [
        t.String({ minLength: 1, maxLength: 10_000 }),
        // Non-empty: Elysia turns an empty string into an empty list before the union is checked.
        t.Array(t.Array(t.String({ minLength: 1, maxLength: 10_000 }), { minItems: 1, maxItems: 50 }), {
          minItems: 1,
          maxItems: 20,
        }),
      ],
      {
        description: 'A text (the answer to each question) or one list of answers per question',
      },
    ),
  },
  { title: 'QuestionAnswer' },
)
export const AutoApproveSet = t.Object({ on: t.Boolean() }, { title: 'AutoApproveSet' })
