WITH "t19" AS (
  SELECT
    "t10"."id" AS "cell_id",
    UNNEST(
      ARRAY(SELECT
        __ibis_param_name__
      FROM UNNEST(ARRAY[
        CASE
          WHEN "t10"."cell_class_nonsynaptic" = 'ex'
          THEN 'ex'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN "t10"."cell_class_nonsynaptic" = 'in'
          THEN 'in'
          ELSE CAST(NULL AS VARCHAR)
        END
      ]) AS __ibis_param_name__
      WHERE
        __ibis_param_name__ IS NOT NULL)
    ) AS "class_name"
  FROM (
    SELECT
      CAST("t3"."id" AS BIGINT) AS "id",
      CAST("t3"."experiment_id" AS BIGINT) AS "experiment_id",
      "t3"."ext_id",
      CAST("t3"."electrode_id" AS BIGINT) AS "electrode_id",
      "t3"."cre_type",
      "t3"."target_layer",
      NULLIF("t3"."position", 'null') AS "position",
      "t3"."depth",
      "t3"."cell_class",
      "t3"."cell_class_nonsynaptic",
      NULLIF("t3"."meta", 'null') AS "meta"
    FROM "cell" AS "t3"
  ) AS "t10"
)
SELECT
  "t25"."pre_class",
  "t26"."post_class",
  "t22"."id",
  "t22"."experiment_id",
  "t22"."pre_cell_id",
  "t22"."post_cell_id",
  "t22"."has_synapse",
  "t22"."has_polysynapse",
  "t22"."has_electrical",
  "t22"."crosstalk_artifact",
  "t22"."n_ex_test_spikes",
  "t22"."n_in_test_spikes",
  "t22"."distance",
  "t22"."lateral_distance",
  "t22"."vertical_distance",
  "t22"."reciprocal_id",
  "t22"."meta",
  "t22"."synapse_psp_amplitude"
FROM (
  SELECT
    "t18"."id",
    "t18"."experiment_id",
    "t18"."pre_cell_id",
    "t18"."post_cell_id",
    "t18"."has_synapse",
    "t18"."has_polysynapse",
    "t18"."has_electrical",
    "t18"."crosstalk_artifact",
    "t18"."n_ex_test_spikes",
    "t18"."n_in_test_spikes",
    "t18"."distance",
    "t18"."lateral_distance",
    "t18"."vertical_distance",
    "t18"."reciprocal_id",
    "t18"."meta",
    "t18"."synapse_psp_amplitude"
  FROM (
    SELECT
      "t12"."id",
      "t12"."experiment_id",
      "t12"."pre_cell_id",
      "t12"."post_cell_id",
      "t12"."has_synapse",
      "t12"."has_polysynapse",
      "t12"."has_electrical",
      "t12"."crosstalk_artifact",
      "t12"."n_ex_test_spikes",
      "t12"."n_in_test_spikes",
      "t12"."distance",
      "t12"."lateral_distance",
      "t12"."vertical_distance",
      "t12"."reciprocal_id",
      "t12"."meta",
      "t13"."experiment_ext_id",
      "t13"."experiment_slice_id",
      "t13"."experiment_project_name",
      "t13"."experiment_date",
      "t13"."experiment_target_region",
      "t13"."experiment_internal",
      "t13"."experiment_acsf",
      "t13"."experiment_target_temperature",
      "t13"."experiment_rig_name",
      "t13"."experiment_operator_name",
      "t13"."experiment_storage_path",
      "t13"."experiment_ephys_file",
      "t13"."experiment_acq_timestamp",
      "t13"."experiment_meta",
      "t14"."slice_id",
      "t14"."slice_ext_id",
      "t14"."slice_acq_timestamp",
      "t14"."slice_species",
      "t14"."slice_date_of_birth",
      "t14"."slice_age",
      "t14"."slice_sex",
      "t14"."slice_weight",
      "t14"."slice_genotype",
      "t14"."slice_orientation",
      "t14"."slice_surface",
      "t14"."slice_hemisphere",
      "t14"."slice_quality",
      "t14"."slice_slice_time",
      "t14"."slice_slice_conditions",
      "t14"."slice_lims_specimen_name",
      "t14"."slice_storage_path",
      "t14"."slice_meta",
      "t15"."pre_cell_experiment_id",
      "t15"."pre_cell_ext_id",
      "t15"."pre_cell_electrode_id",
      "t15"."pre_cell_cre_type",
      "t15"."pre_cell_target_layer",
      "t15"."pre_cell_position",
      "t15"."pre_cell_depth",
      "t15"."pre_cell_cell_class",
      "t15"."pre_cell_cell_class_nonsynaptic",
      "t15"."pre_cell_meta",
      "t16"."post_cell_experiment_id",
      "t16"."post_cell_ext_id",
      "t16"."post_cell_electrode_id",
      "t16"."post_cell_cre_type",
      "t16"."post_cell_target_layer",
      "t16"."post_cell_position",
      "t16"."post_cell_depth",
      "t16"."post_cell_cell_class",
      "t16"."post_cell_cell_class_nonsynaptic",
      "t16"."post_cell_meta",
      "t17"."synapse_id",
      "t17"."synapse_pair_id",
      "t17"."synapse_synapse_type",
      "t17"."synapse_latency",
      "t17"."synapse_psp_amplitude",
      "t17"."synapse_psp_rise_time",
      "t17"."synapse_psp_decay_tau",
      "t17"."synapse_psc_amplitude",
      "t17"."synapse_psc_rise_time",
      "t17"."synapse_psc_decay_tau",
      "t17"."synapse_meta"
    FROM (
      SELECT
        CAST("t0"."id" AS BIGINT) AS "id",
        CAST("t0"."experiment_id" AS BIGINT) AS "experiment_id",
        CAST("t0"."pre_cell_id" AS BIGINT) AS "pre_cell_id",
        CAST("t0"."post_cell_id" AS BIGINT) AS "post_cell_id",
        "t0"."has_synapse",
        "t0"."has_polysynapse",
        "t0"."has_electrical",
        "t0"."crosstalk_artifact",
        CAST("t0"."n_ex_test_spikes" AS BIGINT) AS "n_ex_test_spikes",
        CAST("t0"."n_in_test_spikes" AS BIGINT) AS "n_in_test_spikes",
        "t0"."distance",
        "t0"."lateral_distance",
        "t0"."vertical_distance",
        CAST("t0"."reciprocal_id" AS BIGINT) AS "reciprocal_id",
        NULLIF("t0"."meta", 'null') AS "meta"
      FROM "pair" AS "t0"
    ) AS "t12"
    INNER JOIN (
      SELECT
        "t1"."ext_id" AS "experiment_ext_id",
        CAST("t1"."slice_id" AS BIGINT) AS "experiment_slice_id",
        "t1"."project_name" AS "experiment_project_name",
        "t1"."date" AS "experiment_date",
        "t1"."target_region" AS "experiment_target_region",
        "t1"."internal" AS "experiment_internal",
        "t1"."acsf" AS "experiment_acsf",
        "t1"."target_temperature" AS "experiment_target_temperature",
        "t1"."rig_name" AS "experiment_rig_name",
        "t1"."operator_name" AS "experiment_operator_name",
        "t1"."storage_path" AS "experiment_storage_path",
        "t1"."ephys_file" AS "experiment_ephys_file",
        "t1"."acq_timestamp" AS "experiment_acq_timestamp",
        NULLIF("t1"."meta", 'null') AS "experiment_meta",
        CAST("t1"."id" AS BIGINT) AS "__experiment_key"
      FROM "experiment" AS "t1"
    ) AS "t13"
      ON "t12"."experiment_id" = "t13"."__experiment_key"
    LEFT OUTER JOIN (
      SELECT
        CAST("t2"."id" AS BIGINT) AS "slice_id",
        "t2"."ext_id" AS "slice_ext_id",
        "t2"."acq_timestamp" AS "slice_acq_timestamp",
        "t2"."species" AS "slice_species",
        "t2"."date_of_birth" AS "slice_date_of_birth",
        CAST("t2"."age" AS BIGINT) AS "slice_age",
        "t2"."sex" AS "slice_sex",
        "t2"."weight" AS "slice_weight",
        "t2"."genotype" AS "slice_genotype",
        "t2"."orientation" AS "slice_orientation",
        "t2"."surface" AS "slice_surface",
        "t2"."hemisphere" AS "slice_hemisphere",
        CAST("t2"."quality" AS BIGINT) AS "slice_quality",
        "t2"."slice_time" AS "slice_slice_time",
        NULLIF("t2"."slice_conditions", 'null') AS "slice_slice_conditions",
        "t2"."lims_specimen_name" AS "slice_lims_specimen_name",
        "t2"."storage_path" AS "slice_storage_path",
        NULLIF("t2"."meta", 'null') AS "slice_meta",
        CAST("t2"."id" AS BIGINT) AS "__slice_key"
      FROM "slice" AS "t2"
    ) AS "t14"
      ON "t13"."experiment_slice_id" = "t14"."__slice_key"
    INNER JOIN (
      SELECT
        CAST("t3"."experiment_id" AS BIGINT) AS "pre_cell_experiment_id",
        "t3"."ext_id" AS "pre_cell_ext_id",
        CAST("t3"."electrode_id" AS BIGINT) AS "pre_cell_electrode_id",
        "t3"."cre_type" AS "pre_cell_cre_type",
        "t3"."target_layer" AS "pre_cell_target_layer",
        NULLIF("t3"."position", 'null') AS "pre_cell_position",
        "t3"."depth" AS "pre_cell_depth",
        "t3"."cell_class" AS "pre_cell_cell_class",
        "t3"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
        NULLIF("t3"."meta", 'null') AS "pre_cell_meta",
        CAST("t3"."id" AS BIGINT) AS "__pre_cell_key"
      FROM "cell" AS "t3"
    ) AS "t15"
      ON "t12"."pre_cell_id" = "t15"."__pre_cell_key"
    INNER JOIN (
      SELECT
        CAST("t3"."experiment_id" AS BIGINT) AS "post_cell_experiment_id",
        "t3"."ext_id" AS "post_cell_ext_id",
        CAST("t3"."electrode_id" AS BIGINT) AS "post_cell_electrode_id",
        "t3"."cre_type" AS "post_cell_cre_type",
        "t3"."target_layer" AS "post_cell_target_layer",
        NULLIF("t3"."position", 'null') AS "post_cell_position",
        "t3"."depth" AS "post_cell_depth",
        "t3"."cell_class" AS "post_cell_cell_class",
        "t3"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
        NULLIF("t3"."meta", 'null') AS "post_cell_meta",
        CAST("t3"."id" AS BIGINT) AS "__post_cell_key"
      FROM "cell" AS "t3"
    ) AS "t16"
      ON "t12"."post_cell_id" = "t16"."__post_cell_key"
    LEFT OUTER JOIN (
      SELECT
        CAST("t4"."id" AS BIGINT) AS "synapse_id",
        CAST("t4"."pair_id" AS BIGINT) AS "synapse_pair_id",
        "t4"."synapse_type" AS "synapse_synapse_type",
        "t4"."latency" AS "synapse_latency",
        "t4"."psp_amplitude" AS "synapse_psp_amplitude",
        "t4"."psp_rise_time" AS "synapse_psp_rise_time",
        "t4"."psp_decay_tau" AS "synapse_psp_decay_tau",
        "t4"."psc_amplitude" AS "synapse_psc_amplitude",
        "t4"."psc_rise_time" AS "synapse_psc_rise_time",
        "t4"."psc_decay_tau" AS "synapse_psc_decay_tau",
        NULLIF("t4"."meta", 'null') AS "synapse_meta",
        CAST("t4"."pair_id" AS BIGINT) AS "__synapse_key"
      FROM "synapse" AS "t4"
    ) AS "t17"
      ON "t12"."id" = "t17"."__synapse_key"
  ) AS "t18"
  WHERE
    "t18"."slice_species" = 'mouse'
) AS "t22"
INNER JOIN (
  SELECT
    "t20"."cell_id" AS "__pre_member",
    "t20"."class_name" AS "pre_class"
  FROM "t19" AS "t20"
) AS "t25"
  ON "t22"."pre_cell_id" = "t25"."__pre_member"
INNER JOIN (
  SELECT
    "t20"."cell_id" AS "__post_member",
    "t20"."class_name" AS "post_class"
  FROM "t19" AS "t20"
) AS "t26"
  ON "t22"."post_cell_id" = "t26"."__post_member"
