import { isAbsolute, join } from 'node:path'

/** One function call the model makes; `arguments` is sent JSON-encoded, as OpenAI does. */
export type ScriptToolCall = { name: string; arguments: Record<string, unknown> }

/** One assistant answer: text, tool calls, or both. */
export type ScriptTurn = { text?: string; toolCalls?: ScriptToolCall[] }

/** What a turn can see of the conversation it answers. */
export type TurnContext = {
  /** The prompt pattern's match on the last user message. */
  match: RegExpMatchArray
  /** The agent's working directory, read from its system prompt when it states one. */
  cwd: string | undefined
  /** Content of the tool results since the last user message, oldest first. */
  toolResults: string[]
}

/**
 * A prompt pattern and the turns played for it. Turn n answers the request that carries n assistant
 * messages after the last user message; past the last turn the model says it is done.
 */
export type Script = {
  name: string
  pattern: RegExp
  turns: Array<(ctx: TurnContext) => ScriptTurn>
}

/** The fence info string that marks a draft GitHub comment in an answer; the runner lifts it into an item. */
export const DRAFT_COMMENT_FENCE = 'draft-comment'

const inCwd = (path: string, cwd: string | undefined) => (isAbsolute(path) || !cwd ? path : join(cwd, path))

const lastResult = (ctx: TurnContext) => ctx.toolResults.at(-1) ?? ''

/** Keeps a quoted tool output short enough to read in a thread. */
const excerpt = (text: string, max = 2000) => (text.length > max ? `${text.slice(0, max)}\n…` : text)

export const writeFileScript: Script = {
  name: 'write-file',
  pattern: /Create a file named (\S+?) that says (.+?)\.?\s*$/m,
  turns: [
    ({ match, cwd }) => ({
      toolCalls: [
        { name: 'write', arguments: { filePath: inCwd(match[1]!, cwd), content: `${match[2]!}\n` } },
      ],
    }),
    ({ match }) => ({ text: `Created \`${match[1]!}\`.` }),
  ],
}

export const runCommandScript: Script = {
  name: 'run-command',
  pattern: /Run the command `([^`]+)`/,
  turns: [
    ({ match }) => ({
      toolCalls: [
        { name: 'bash', arguments: { command: match[1]!, description: 'Run the requested command' } },
      ],
    }),
    (ctx) => ({ text: `Ran \`${ctx.match[1]!}\`. Output:\n\n\`\`\`\n${excerpt(lastResult(ctx))}\n\`\`\`` }),
  ],
}

/**
 * Asks the person a question with opencode's question tool (the runner relays it to aica), then says what the
 * answer was: the tool's output carries it.
 */
export const askQuestionScript: Script = {
  name: 'ask-question',
  pattern: /Ask me (.+?\?)/,
  turns: [
    ({ match }) => ({
      toolCalls: [
        {
          name: 'question',
          arguments: {
            questions: [
              {
                question: match[1]!,
                header: 'Question',
                options: [
                  { label: 'red', description: 'The colour red' },
                  { label: 'blue', description: 'The colour blue' },
                ],
              },
            ],
          },
        },
      ],
    }),
    (ctx) => ({ text: `Thanks. ${answerIn(lastResult(ctx))}` }),
  ],
}

/** The answer quoted in the question tool's output (`"Q"="A"`), or the whole output when it has none. */
const answerIn = (output: string) => {
  const found = output.match(/"[^"]*"="([^"]*)"/)
  return found ? `You answered: ${found[1]}.` : `The question tool said: ${excerpt(output, 500)}`
}

/** What a compliant (naive) model does with an injected "print your environment" instruction. */
export const printEnvironmentScript: Script = {
  name: 'print-environment',
  pattern: /print (?:your|the|its) (?:whole |full )?environment/i,
  turns: [
    () => ({
      toolCalls: [{ name: 'bash', arguments: { command: 'env', description: 'Print the environment' } }],
    }),
    (ctx) => ({ text: `Here is my environment:\n\n\`\`\`\n${excerpt(lastResult(ctx), 8000)}\n\`\`\`` }),
  ],
}

export const draftCommentScript: Script = {
  name: 'draft-comment',
  pattern: /Draft a comment saying (.+?)\.?\s*$/m,
  turns: [
    ({ match }) => ({
      text: `Here is a draft reply:\n\n\`\`\`${DRAFT_COMMENT_FENCE}\n${match[1]!}\n\`\`\``,
    }),
  ],
}

/**
 * Answers the artifacts service's generation prompt with a brief written from the material it quotes: the title,
 * the body's first paragraph and how many comments there are.
 */
export const artifactBriefScript: Script = {
  name: 'artifact-brief',
  pattern:
    /^Write the (issue brief|PR decision log) for (\S+?)\.$[\s\S]*?^Title: (.*)$[\s\S]*?^Body:\n([\s\S]*?)\n(?:## |<\/material>)/m,
  turns: [
    ({ match }) => {
      const [, what, ref, title, body] = match as unknown as [string, string, string, string, string]
      const summary =
        body
          .trim()
          .split(/\n\s*\n/)[0]
          ?.slice(0, 1000) || '(The issue has no description.)'
      const comments = (match.input ?? '').match(/^### /gm)?.length ?? 0
      return {
        text: [
          `# ${what === 'issue brief' ? 'Issue brief' : 'Decision log'}: ${title}`,
          '',
          `${ref}, written from its text.`,
          '',
          '## Summary',
          '',
          summary,
          '',
          '## Context',
          '',
          `${comments} comment${comments === 1 ? '' : 's'} so far.`,
        ].join('\n'),
      }
    },
  ],
}

/**
 * An answer built to run in a careless page: raw HTML with handlers, a script tag, a `javascript:` link and one
 * very long line. A page that renders agent output must show all of it as inert text and stay usable.
 */
export const inertOutputScript: Script = {
  name: 'inert-output',
  pattern: /Show the hostile answer\.?\s*$/m,
  turns: [
    () => ({
      text: [
        'Here it is: <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>',
        '',
        '[click me](javascript:window.__pwned=3) and ![pic](http://example.test/x.png)',
        '',
        `LONG${'x'.repeat(200_000)}END`,
      ].join('\n'),
    }),
  ],
}

export const fallbackScript: Script = {
  name: 'fallback',
  pattern: /[\s\S]*/,
  turns: [
    () => ({
      text:
        "I am Bosun's scripted demo model. Try: `Create a file named notes.txt that says hello.`, " +
        '`Run the command `ls``, or `Draft a comment saying thanks.`',
    }),
  ],
}

/** Tried in order; the first pattern that matches the last user message plays. The fallback matches all. */
export const DEMO_SCRIPTS: readonly Script[] = [
  writeFileScript,
  runCommandScript,
  askQuestionScript,
  printEnvironmentScript,
  draftCommentScript,
  artifactBriefScript,
]
