CREATE TABLE `usage_records` (
	`item_id` text PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`worktree_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`user_login` text NOT NULL,
	`repo` text NOT NULL,
	`day` text NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`cost_usd` real NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_records_workspace_id_at_idx` ON `usage_records` (`workspace_id`,`at`);--> statement-breakpoint
CREATE INDEX `usage_records_thread_id_idx` ON `usage_records` (`thread_id`);--> statement-breakpoint
ALTER TABLE `backups` ADD `base_sha` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `usage_input_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `threads` ADD `usage_output_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `threads` ADD `usage_cache_read_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `threads` ADD `usage_cache_write_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `threads` ADD `usage_cost_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `worktrees` ADD `changes_files` integer;--> statement-breakpoint
ALTER TABLE `worktrees` ADD `changes_additions` integer;--> statement-breakpoint
ALTER TABLE `worktrees` ADD `changes_deletions` integer;