import { isAdmin, useSession } from '../../data/auth'
import { SETTINGS_SECTIONS } from './sections'

/** `/settings`: the person's own settings, then (admins only) the workspace's and Bosun's. */
export function SettingsPage() {
  const admin = isAdmin(useSession().data)
  const sections = SETTINGS_SECTIONS.filter((s) => admin || !s.admin)
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <nav aria-label="Settings sections" className="toc">
        {sections.map((s) => (
          <a key={s.id} href={`#${s.id}`}>
            {s.title}
          </a>
        ))}
      </nav>
      {sections.map(({ id, title, Component }) => (
        <section key={id} id={id} className="section" aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`}>{title}</h2>
          <Component />
        </section>
      ))}
    </section>
  )
}
