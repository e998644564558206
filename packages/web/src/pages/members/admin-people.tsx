import { useState } from 'react'
import { ConfirmButton } from '../../components/confirm-button'
import { ListState, WriteError } from '../../components/states'
import { Time } from '../../components/time'
import {
  type Role,
  useCreateInvite,
  useInvites,
  useRevokeInvite,
  useSetRole,
  useUsers,
} from '../../data/auth'

const ROLES: readonly Role[] = ['viewer', 'member', 'admin']

/** Admins only: who is invited to Bosun and each person's role (auth's routes). */
export function AdminPeople() {
  const invites = useInvites(true)
  const users = useUsers(true)
  const invite = useCreateInvite()
  const revoke = useRevokeInvite()
  const setRole = useSetRole()
  return (
    <>
      <h2>Invitations</h2>
      <InviteForm onInvite={(login, role) => invite.mutateAsync({ login, role })} />
      <ListState
        query={invites}
        what="invitations"
        isEmpty={(p) => p.results.length === 0}
        empty="No open invitations."
      >
        {(p) => (
          <ul className="rows" aria-label="Invitations">
            {p.results.map((i) => (
              <li key={i.login} className="row">
                <div className="row-main">
                  <strong>{i.login}</strong> <span className="badge">{i.role}</span>
                  <span className="muted">
                    invited by {i.invitedBy}, <Time iso={i.createdAt} />
                  </span>
                  <ConfirmButton
                    label={`Revoke ${i.login}`}
                    confirm={`Yes, revoke ${i.login}'s invitation`}
                    onConfirm={() => revoke.mutateAsync(i.login)}
                  />
                </div>
              </li>
            ))}
          </ul>
        )}
      </ListState>
      <h2>People and roles</h2>
      <ListState query={users} what="people" isEmpty={(p) => p.results.length === 0} empty="Nobody yet.">
        {(p) => (
          <ul className="rows" aria-label="People">
            {p.results.map((u) => (
              <li key={u.id} className="row">
                <div className="row-main">
                  <strong>{u.login}</strong>
                  {u.name ? <span className="muted">{u.name}</span> : null}
                  <label>
                    Role{' '}
                    <select
                      aria-label={`Role of ${u.login}`}
                      value={u.role}
                      onChange={(e) => setRole.mutate({ login: u.login, role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </label>
                </div>
              </li>
            ))}
          </ul>
        )}
      </ListState>
      <WriteError error={setRole.error} />
    </>
  )
}

function InviteForm({ onInvite }: { onInvite: (login: string, role: Role) => Promise<unknown> }) {
  const [login, setLogin] = useState('')
  const [role, setRole] = useState<Role>('member')
  const [error, setError] = useState<unknown>(null)
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        onInvite(login.trim(), role)
          .then(() => setLogin(''))
          .catch(setError)
      }}
    >
      <label>
        Invite login <input name="invite" required value={login} onChange={(e) => setLogin(e.target.value)} />
      </label>
      <label>
        as{' '}
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <button type="submit">Invite</button>
      <WriteError error={error} />
    </form>
  )
}
