import { ErrorNote, Loading } from '../../components/states'
import { useVersion } from '../../data/artifacts'
import { lineDiff } from './line-diff'

const MARK = { same: ' ', added: '+', removed: '-' } as const

/** The line diff between two versions, removed lines first where a line changed. */
export function VersionDiff(props: { workspace: string; artifactId: string; from: number; to: number }) {
  const a = useVersion(props.workspace, props.artifactId, props.from)
  const b = useVersion(props.workspace, props.artifactId, props.to)
  if (a.error || b.error) return <ErrorNote error={a.error ?? b.error} what="the versions" />
  if (!a.data || !b.data) return <Loading what="the versions" />
  const lines = lineDiff(a.data.content, b.data.content)
  const changed = lines.filter((l) => l.op !== 'same').length
  return (
    <figure className="diff">
      <figcaption>
        v{props.from} → v{props.to}:{' '}
        {changed === 0 ? 'no change' : `${changed} line${changed === 1 ? '' : 's'} changed`}
      </figcaption>
      <section aria-label={`Changes from version ${props.from} to version ${props.to}`}>
        <pre>
          {lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the diff is rendered whole each time
            <span key={i} className={`diff-${l.op}`}>
              {MARK[l.op]} {l.text}
              {'\n'}
            </span>
          ))}
        </pre>
      </section>
    </figure>
  )
}
