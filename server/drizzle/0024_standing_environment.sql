-- A standing approval covers only requests in the environment of the request that created it (null:
-- only requests without one). Rows from before this column stay null and so only cover those: stricter.
ALTER TABLE `standing_approvals` ADD `environment` text;
