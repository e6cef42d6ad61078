-- Issue 16: why a request was held (the rule's `when:` that was true) and the rule's risk.
ALTER TABLE `actions` ADD `matched_condition` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `risk` text;
