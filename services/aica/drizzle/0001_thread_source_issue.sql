ALTER TABLE `threads` ADD `source_issue` text;--> statement-breakpoint
CREATE INDEX `threads_workspace_id_source_issue_idx` ON `threads` (`workspace_id`,`source_issue`);