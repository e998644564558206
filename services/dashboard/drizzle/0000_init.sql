CREATE TABLE `memberships` (
	`workspace_id` text NOT NULL,
	`login_key` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `login_key`)
);
--> statement-breakpoint
CREATE INDEX `memberships_login_key_idx` ON `memberships` (`login_key`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`consumer`, `event_id`)
);
