CREATE TABLE `human_requests` (
	`thread_id` text NOT NULL,
	`request_id` text NOT NULL,
	`kind` text NOT NULL,
	`ask` text NOT NULL,
	`state` text NOT NULL,
	`reply` text,
	`settled_by` text,
	`applied_at` integer,
	`created_at` integer NOT NULL,
	`settled_at` integer,
	PRIMARY KEY(`thread_id`, `request_id`)
);
--> statement-breakpoint
CREATE INDEX `human_requests_thread_id_state_idx` ON `human_requests` (`thread_id`,`state`);--> statement-breakpoint
CREATE TABLE `permission_defaults` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`people` text NOT NULL,
	`auto` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `threads` ADD `permissions` text;--> statement-breakpoint
ALTER TABLE `threads` ADD `auto_approve` integer DEFAULT false NOT NULL;