import { useCurrentWorkspace } from '../../../app/current-workspace'
import { ConfirmButton } from '../../../components/confirm-button'
import { SingleFieldForm } from '../../../components/single-field-form'
import { ListState } from '../../../components/states'
import { Time } from '../../../components/time'
import { useEgress, useSetEgress } from '../../../data/aica'
import { isAdmin, useSession } from '../../../data/auth'

// The API's rule (EgressHost in contracts), so the browser says what is wrong before sending.
const HOST_PATTERN =
  '(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?'

/**
 * The hosts this workspace's agents may reach over HTTPS from their sandbox (package registries): admins
 * edit the list, members see it. The runner's operator sets a ceiling too; a host must be on both.
 */
export function EgressSection() {
  const { workspace } = useCurrentWorkspace()
  const admin = isAdmin(useSession().data)
  const egress = useEgress(workspace.id)
  const set = useSetEgress(workspace.id)
  return (
    <ListState query={egress} what="agent network access" isEmpty={() => false} empty={null}>
      {(e) => (
        <>
          <p>
            An agent&apos;s sandbox reaches nothing but its model. Hosts listed here (HTTPS only, e.g.{' '}
            <code>registry.npmjs.org</code>, or <code>*.pythonhosted.org</code> for its subdomains) are
            reachable through the runner&apos;s egress proxy when the runner&apos;s operator allows them too (
            <code>BOSUN_RUNNER_EGRESS_ALLOW</code>). A host that resolves to a private or local address is
            refused anyway. Changes apply to sandboxes started afterwards.
          </p>
          {admin ? (
            <SingleFieldForm
              label="Host agents may reach"
              name="egress-host"
              submit="Allow host"
              pattern={HOST_PATTERN}
              onSubmit={(host) => set.mutateAsync([...e.hosts, host])}
            />
          ) : (
            <p className="muted">Only admins change this list.</p>
          )}
          {e.hosts.length === 0 ? (
            <p className="empty">No host: agents have no network access but their model.</p>
          ) : (
            <ul className="rows" aria-label="Hosts agents may reach">
              {e.hosts.map((host) => (
                <li key={host} className="row">
                  <div className="row-main">
                    <code>{host}</code>
                    {admin && (
                      <ConfirmButton
                        label={`Remove ${host}`}
                        confirm="Yes, remove"
                        onConfirm={() => set.mutateAsync(e.hosts.filter((h) => h !== host))}
                      />
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )}
          {e.updatedBy && e.updatedAt && (
            <p className="muted">
              Last changed by {e.updatedBy}, <Time iso={e.updatedAt} />
            </p>
          )}
        </>
      )}
    </ListState>
  )
}
