import { useCurrentWorkspace } from '../../../app/current-workspace'
import { ConfirmButton } from '../../../components/confirm-button'
import { SingleFieldForm } from '../../../components/single-field-form'
import { ListState } from '../../../components/states'
import { Time } from '../../../components/time'
import {
  useAddAutoTrigger,
  useAutoTrigger,
  useRemoveAutoTrigger,
  useSetTriggerLabel,
} from '../../../data/aica'

/** Repositories where an opened issue, or one labeled with the trigger label, starts an agent by itself. */
export function AutoTriggerSection() {
  const { workspace } = useCurrentWorkspace()
  const config = useAutoTrigger(workspace.id)
  const add = useAddAutoTrigger(workspace.id)
  const remove = useRemoveAutoTrigger(workspace.id)
  const setLabel = useSetTriggerLabel(workspace.id)
  return (
    <ListState query={config} what="auto-trigger repositories" isEmpty={() => false} empty={null}>
      {(c) => (
        <>
          <p>
            Trigger label: <code>{c.triggerLabel}</code>
          </p>
          <SingleFieldForm
            label="New trigger label"
            name="trigger-label"
            submit="Set label"
            onSubmit={(label) => setLabel.mutateAsync(label)}
          />
          <SingleFieldForm
            label="Auto-trigger repository (owner/name)"
            name="auto-trigger-repo"
            submit="Add auto-trigger repository"
            onSubmit={(repo) => add.mutateAsync(repo)}
          />
          {c.repos.length === 0 ? (
            <p className="empty">No repository starts agents by itself.</p>
          ) : (
            <ul className="rows" aria-label="Auto-trigger repositories">
              {c.repos.map((r) => (
                <li key={r.repo} className="row">
                  <div className="row-main">
                    <strong>{r.repo}</strong>
                    <span className="muted">
                      added by {r.addedBy}, <Time iso={r.addedAt} />
                    </span>
                    <ConfirmButton
                      label={`Stop auto-triggering ${r.repo}`}
                      confirm="Yes, stop"
                      onConfirm={() => remove.mutateAsync(r.repo)}
                    />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </ListState>
  )
}
