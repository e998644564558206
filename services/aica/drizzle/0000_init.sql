CREATE TABLE `auto_trigger_repos` (
	`workspace_id` text NOT NULL,
	`repo` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `repo`)
);
--> statement-breakpoint
CREATE TABLE `backups` (
	`worktree_id` text PRIMARY KEY NOT NULL,
	`ref` text NOT NULL,
	`head_sha` text NOT NULL,
	`sha256` text NOT NULL,
	`bundle` text NOT NULL,
	`size` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `bundle_items` (
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`path` text NOT NULL,
	`content` text NOT NULL,
	`version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `kind`, `name`)
);
--> statement-breakpoint
CREATE TABLE `items` (
	`thread_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`key` text,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`at` integer NOT NULL,
	`applied_url` text,
	`applied_id` integer,
	PRIMARY KEY(`thread_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_thread_id_key_idx` ON `items` (`thread_id`,`key`);--> statement-breakpoint
CREATE UNIQUE INDEX `items_id_idx` ON `items` (`id`);--> statement-breakpoint
CREATE TABLE `known_workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`envelope` text NOT NULL,
	`traceparent` text,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_sent_at_created_at_idx` ON `outbox` (`sent_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`consumer`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `relay_tokens` (
	`hash` text PRIMARY KEY NOT NULL,
	`worktree_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `relay_tokens_worktree_id_idx` ON `relay_tokens` (`worktree_id`);--> statement-breakpoint
CREATE TABLE `shared_creds` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`base_url` text,
	`model` text,
	`sealed` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `threads` (
	`id` text PRIMARY KEY NOT NULL,
	`worktree_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`user_login` text NOT NULL,
	`status` text NOT NULL,
	`status_times` text NOT NULL,
	`error` text,
	`prompt` text NOT NULL,
	`agent` text NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`priority` text NOT NULL,
	`attempt` integer NOT NULL,
	`bundle_digest` text NOT NULL,
	`has_extra_env` integer NOT NULL,
	`uses_shared_creds` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`fork_of_thread` text,
	`fork_at_seq` integer,
	`session_id` text,
	`delivery_id` text,
	`callback_url` text,
	`callback_state` text,
	`callback_at` integer,
	`callback_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `threads_worktree_id_idx` ON `threads` (`worktree_id`);--> statement-breakpoint
CREATE INDEX `threads_workspace_id_status_idx` ON `threads` (`workspace_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `threads_delivery_id_idx` ON `threads` (`delivery_id`);--> statement-breakpoint
CREATE TABLE `workspace_settings` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`trigger_label` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `worktrees` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repo` text NOT NULL,
	`ref` text NOT NULL,
	`visibility` text NOT NULL,
	`creator_id` text NOT NULL,
	`creator_login` text NOT NULL,
	`restored_from` text,
	`sandbox_backend` text,
	`sandbox_note` text,
	`created_at` integer NOT NULL,
	`archived_at` integer
);
--> statement-breakpoint
CREATE INDEX `worktrees_workspace_id_created_at_idx` ON `worktrees` (`workspace_id`,`created_at`);