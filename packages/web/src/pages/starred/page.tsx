import { useCurrentWorkspace } from '../../app/current-workspace'
import { SingleFieldForm } from '../../components/single-field-form'
import { ListState } from '../../components/states'
import { can, useSession } from '../../data/auth'
import {
  useCreateFolder,
  useRemoveFolder,
  useRenameFolder,
  useSnapshot,
  useStarComment,
  useUnstarComment,
} from '../../data/workspace'
import { Folders } from './folders'
import { StarForm } from './star-form'
import { StarredList } from './starred-list'

/** `/starred`: review comments the team keeps, in folders (create, rename, move, delete), live. */
export function StarredPage() {
  const { workspace } = useCurrentWorkspace()
  const snapshot = useSnapshot(workspace.id)
  const star = useStarComment(workspace.id)
  const unstar = useUnstarComment(workspace.id)
  const createFolder = useCreateFolder(workspace.id)
  const renameFolder = useRenameFolder(workspace.id)
  const removeFolder = useRemoveFolder(workspace.id)
  const writer = can(useSession().data, 'team_members:write')
  return (
    <section aria-labelledby="starred-title">
      <h1 id="starred-title">Starred comments</h1>
      <ListState query={snapshot} what="starred comments" isEmpty={() => false} empty={null}>
        {(s) => (
          <>
            <h2>Folders</h2>
            {writer ? (
              <SingleFieldForm
                label="New folder"
                name="folder"
                submit="Create folder"
                onSubmit={(name) => createFolder.mutateAsync(name)}
              />
            ) : null}
            <Folders
              folders={s.starredFolders}
              writable={writer}
              onRename={(from, to) => renameFolder.mutateAsync({ from, to })}
              onRemove={(name) => removeFolder.mutateAsync(name)}
            />
            <h2>Comments</h2>
            {writer ? (
              <StarForm folders={s.starredFolders.map((f) => f.name)} onStar={(b) => star.mutateAsync(b)} />
            ) : null}
            <StarredList
              comments={s.starredComments}
              folders={s.starredFolders.map((f) => f.name)}
              writable={writer}
              onMove={(c, folder) =>
                star.mutateAsync({
                  commentId: c.commentId,
                  url: c.url,
                  body: c.body,
                  author: c.author,
                  repo: c.repo ?? undefined,
                  prNumber: c.prNumber === null ? undefined : Number(c.prNumber),
                  folder,
                })
              }
              onUnstar={(id) => unstar.mutateAsync(id)}
            />
          </>
        )}
      </ListState>
    </section>
  )
}
