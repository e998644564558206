import { useNavigate } from '@tanstack/react-router'
import { useCurrentWorkspace } from '../../app/current-workspace'
import { ListState } from '../../components/states'
import {
  BUNDLE_KINDS,
  type BundleKind,
  useBundle,
  useCreateBundleItem,
  useDeleteBundleItem,
  useUpdateBundleItem,
} from '../../data/aica'
import { can, useSession } from '../../data/auth'
import { BundleItemEditor } from './item-editor'
import { NewItemForm } from './new-item-form'

export type BundleSearch = { kind?: BundleKind }
export const validateBundleSearch = (s: Record<string, unknown>): BundleSearch => ({
  kind: BUNDLE_KINDS.includes(s.kind as BundleKind) ? (s.kind as BundleKind) : undefined,
})

/** `/bundle?kind=`: the AICA bundle every agent of the workspace gets: files, skills, commands, agents. */
export function BundlePage({ search }: { search: BundleSearch }) {
  const { workspace } = useCurrentWorkspace()
  const kind = search.kind ?? 'files'
  const navigate = useNavigate({ from: '/bundle' })
  const bundle = useBundle(workspace.id, kind)
  const create = useCreateBundleItem(workspace.id, kind)
  const update = useUpdateBundleItem(workspace.id, kind)
  const remove = useDeleteBundleItem(workspace.id, kind)
  const writer = can(useSession().data, 'team_bundle:write')
  return (
    <section aria-labelledby="bundle-title">
      <h1 id="bundle-title">AICA bundle</h1>
      <nav className="subtabs" aria-label="Bundle kinds">
        {BUNDLE_KINDS.map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={k === kind}
            className={k === kind ? 'active' : undefined}
            onClick={() => navigate({ search: { kind: k } })}
          >
            {k}
          </button>
        ))}
      </nav>
      <ListState query={bundle} what={`bundle ${kind}`} isEmpty={() => false} empty={null}>
        {(b) => (
          <>
            <p className="muted">
              Bundle digest <code>{b.digest}</code>
            </p>
            {b.items.length === 0 ? <p className="empty">No {kind} yet.</p> : null}
            <ul className="rows" aria-label={`Bundle ${kind}`}>
              {b.items.map((item) => (
                <BundleItemEditor
                  key={item.name}
                  item={item}
                  writable={writer}
                  onSave={(content, version) => update.mutateAsync({ name: item.name, content, version })}
                  onDelete={() => remove.mutateAsync(item.name)}
                  onReload={async () =>
                    (await bundle.refetch()).data?.items.find((i) => i.name === item.name)
                  }
                />
              ))}
            </ul>
          </>
        )}
      </ListState>
      {writer ? <NewItemForm kind={kind} onCreate={(v) => create.mutateAsync(v)} /> : null}
    </section>
  )
}
