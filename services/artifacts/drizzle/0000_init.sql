CREATE TABLE `artifacts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`owner` text NOT NULL,
	`repo` text NOT NULL,
	`repo_key` text NOT NULL,
	`kind` text NOT NULL,
	`number` integer NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`latest_version` integer DEFAULT 0 NOT NULL,
	`claim_login` text,
	`claimed_at` integer,
	`claim_expires_at` integer,
	`changed_while_generating` integer DEFAULT false NOT NULL,
	`auto_pending` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `artifacts_workspace_id_repo_key_kind_number_idx` ON `artifacts` (`workspace_id`,`repo_key`,`kind`,`number`);--> statement-breakpoint
CREATE INDEX `artifacts_repo_key_number_idx` ON `artifacts` (`repo_key`,`number`);--> statement-breakpoint
CREATE INDEX `artifacts_auto_pending_idx` ON `artifacts` (`auto_pending`);--> statement-breakpoint
CREATE TABLE `changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`artifact_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_at_idx` ON `changes` (`at`);--> statement-breakpoint
CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`artifact_id` text NOT NULL,
	`status` text NOT NULL,
	`thread_id` text,
	`worktree_id` text,
	`agent` text NOT NULL,
	`requested_by` text NOT NULL,
	`error` text,
	`started_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `generations_artifact_id_running_idx` ON `generations` (`artifact_id`) WHERE status = 'running';--> statement-breakpoint
CREATE INDEX `generations_artifact_id_started_at_idx` ON `generations` (`artifact_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `generations_thread_id_idx` ON `generations` (`thread_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`envelope` text NOT NULL,
	`envelope_zstd` blob,
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
CREATE TABLE `settings` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`auto_regenerate` integer DEFAULT false NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `versions` (
	`artifact_id` text NOT NULL,
	`number` integer NOT NULL,
	`content` text NOT NULL,
	`author_kind` text NOT NULL,
	`author_name` text NOT NULL,
	`thread_id` text,
	`requested_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`artifact_id`, `number`)
);
