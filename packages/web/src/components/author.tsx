import { Link } from '@tanstack/react-router'
import type { DashboardAuthor } from '../data/dashboard'
import { Avatar } from './avatar'

/** An author: avatar, login (to their drill-down), member badge and author-record status. */
export function Author({ author }: { author: DashboardAuthor }) {
  return (
    <span className="author">
      <Avatar url={author.avatarUrl} size={20} />
      <Link to="/dashboard/vetted-author/$login" params={{ login: author.login }}>
        {author.login}
      </Link>
      {author.member ? <span className="badge member">member</span> : null}
      {author.isBot ? <span className="badge">bot</span> : null}
      {author.record ? (
        <span className={`badge status-${author.record.status}`}>{author.record.status}</span>
      ) : null}
    </span>
  )
}

export const Labels = ({ labels }: { labels: { name: string; color: string }[] }) =>
  labels.length ? (
    <span className="labels">
      {labels.map((l) => (
        <span key={l.name} className="label" style={{ borderColor: `#${l.color}` }}>
          {l.name}
        </span>
      ))}
    </span>
  ) : null
