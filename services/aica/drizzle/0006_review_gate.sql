CREATE TABLE `pr_comment_runs` (
	`comment_key` text PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `threads` ADD `result` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `next_prompt` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `next_prompt_by` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `approved_by` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `approved_at` integer;--> statement-breakpoint
ALTER TABLE `threads` ADD `approved_draft` integer;--> statement-breakpoint
ALTER TABLE `threads` ADD `published_sha` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `pr_number` integer;--> statement-breakpoint
ALTER TABLE `threads` ADD `pr_url` text;--> statement-breakpoint
CREATE INDEX `threads_pr_number_idx` ON `threads` (`pr_number`);