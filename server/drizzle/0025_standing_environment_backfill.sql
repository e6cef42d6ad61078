-- A standing approval from before 0024 has no environment, so it covered requests without one, even
-- when it was given on a prod request: its reviewer saw that request, in prod, and nothing else. Bind
-- each such row to the environment of the request it came from. Rows made since 0024 copied that
-- environment already, so for them this changes nothing.
UPDATE `standing_approvals` SET `environment` = (
  SELECT `actions`.`environment` FROM `actions` WHERE `actions`.`id` = `standing_approvals`.`from_action_id`
) WHERE `environment` IS NULL;
