CREATE TABLE `author_records` (
	`workspace_id` text NOT NULL,
	`login_key` text NOT NULL,
	`login` text NOT NULL,
	`status` text NOT NULL,
	`note` text NOT NULL,
	`by` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `login_key`)
);
--> statement-breakpoint
CREATE TABLE `changes` (
	`workspace_id` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `check_policies` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`required_checks` text NOT NULL,
	`repos` text NOT NULL,
	`by` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `members` (
	`workspace_id` text NOT NULL,
	`login_key` text NOT NULL,
	`login` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `login_key`)
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
CREATE TABLE `repositories` (
	`workspace_id` text NOT NULL,
	`full_name_key` text NOT NULL,
	`full_name` text NOT NULL,
	`default_branch` text NOT NULL,
	`is_default_for_agents` integer NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `full_name_key`)
);
--> statement-breakpoint
CREATE TABLE `starred_comments` (
	`workspace_id` text NOT NULL,
	`comment_id` text NOT NULL,
	`url` text NOT NULL,
	`body` text NOT NULL,
	`author` text NOT NULL,
	`repo` text,
	`pr_number` integer,
	`folder` text,
	`by` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `comment_id`)
);
--> statement-breakpoint
CREATE TABLE `starred_folders` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`seq` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
