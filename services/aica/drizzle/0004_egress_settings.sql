CREATE TABLE `egress_settings` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`hosts` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
