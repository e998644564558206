CREATE TABLE `delivery_outcomes` (
	`seq` integer PRIMARY KEY NOT NULL,
	`delivery_id` text NOT NULL,
	`source` text NOT NULL,
	`workspace_id` text,
	`thread_id` text,
	`reason` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_outcomes_delivery_id_idx` ON `delivery_outcomes` (`delivery_id`,`seq`);--> statement-breakpoint
CREATE INDEX `delivery_outcomes_at_idx` ON `delivery_outcomes` (`at`);