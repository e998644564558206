import { useCurrentWorkspace } from '../../app/current-workspace'
import { ConfirmButton } from '../../components/confirm-button'
import { SingleFieldForm } from '../../components/single-field-form'
import { ListState } from '../../components/states'
import { Time } from '../../components/time'
import { can, isAdmin, useSession } from '../../data/auth'
import { useAddMember, useRemoveMember, useSnapshot } from '../../data/workspace'
import { AdminPeople } from './admin-people'

const LOGIN_PATTERN = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}'

/** `/members`: the team, live; writers add and remove; admins also manage invitations and roles. */
export function MembersPage() {
  const { workspace } = useCurrentWorkspace()
  const session = useSession().data
  const snapshot = useSnapshot(workspace.id)
  const add = useAddMember(workspace.id)
  const remove = useRemoveMember(workspace.id)
  const writer = can(session, 'team_members:write')
  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members of {workspace.name}</h1>
      {writer ? (
        <SingleFieldForm
          label="GitHub login"
          name="login"
          submit="Add member"
          pattern={LOGIN_PATTERN}
          onSubmit={(login) => add.mutateAsync(login)}
        />
      ) : null}
      <ListState
        query={snapshot}
        what="members"
        isEmpty={(s) => s.members.length === 0}
        empty="No members yet."
      >
        {(s) => (
          <ul className="rows" aria-label="Members">
            {s.members.map((m) => (
              <li key={m.login} className="row">
                <div className="row-main">
                  <strong>{m.login}</strong>
                  <span className="muted">
                    added by {m.addedBy}, <Time iso={m.addedAt} />
                  </span>
                  {writer ? (
                    <ConfirmButton
                      label={`Remove ${m.login}`}
                      confirm={`Yes, remove ${m.login}`}
                      onConfirm={() => remove.mutateAsync(m.login)}
                    />
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </ListState>
      {isAdmin(session) ? <AdminPeople /> : null}
    </section>
  )
}
