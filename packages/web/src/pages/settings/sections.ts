import type { ComponentType } from 'react'
import { AccountSection } from './sections/account'
import { ApiKeysSection } from './sections/api-keys'
import { AutoTriggerSection } from './sections/auto-trigger'
import { EgressSection } from './sections/egress'
import { PasskeysSection } from './sections/passkeys'
import { RepositoriesSection } from './sections/repositories'
import { SharedCredsSection } from './sections/shared-creds'
import { WebhookDeliveriesSection } from './sections/webhook-deliveries'

export type SettingsSection = {
  id: string
  title: string
  /** Shown to admins only (the API refuses everyone else as well). */
  admin: boolean
  Component: ComponentType
}

/** The sections of /settings, in order; a feature with settings adds its own file and one line here. */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { id: 'account', title: 'Account', admin: false, Component: AccountSection },
  { id: 'passkeys', title: 'Passkeys', admin: false, Component: PasskeysSection },
  { id: 'api-keys', title: 'API keys', admin: false, Component: ApiKeysSection },
  { id: 'repositories', title: 'Repositories', admin: true, Component: RepositoriesSection },
  { id: 'auto-trigger', title: 'Auto-trigger repositories', admin: true, Component: AutoTriggerSection },
  // Members see the list read-only; the section itself lets admins edit it.
  { id: 'agent-network', title: 'Agent network access', admin: false, Component: EgressSection },
  { id: 'shared-credentials', title: 'Team shared credentials', admin: true, Component: SharedCredsSection },
  { id: 'webhook-deliveries', title: 'Webhook deliveries', admin: true, Component: WebhookDeliveriesSection },
]
