-- Issue 16: amend, then approve. The request's params and digest become the amended ones; what the
-- requester submitted is kept beside them. amend_allowed is the rule's `amend` at submission.
ALTER TABLE `actions` ADD `amend_allowed` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `actions` ADD `original_params` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `original_digest` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `amended_by` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `amended_at` integer;
