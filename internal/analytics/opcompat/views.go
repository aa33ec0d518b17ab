package opcompat

// views are the compatibility views, written for DuckDB from what each of
// OpenPrescribing's returns (its BigQuery SQL is not run).
var views = []string{
	// raw_prescribing_normalised keeps, in OpenPrescribing, each EPD row
	// (one per pack size) with its quantity per item. ccg's facts sum the
	// pack-size rows of a practice × presentation × month, so the quantity
	// per item here is that group's average (total quantity / items): a
	// definition that filters on quantity_per_item sees the average, not
	// each row (see the README).
	`CREATE VIEW hscic.raw_prescribing_normalised AS
SELECT regional_team, stp, pct, pcn, practice, bnf_code, bnf_name, items, net_cost, actual_cost,
	CASE WHEN items > 0 THEN quantity / items END AS quantity_per_item, quantity AS total_quantity, month
FROM hscic.normalised_prescribing`,

	// bnf: the BNF hierarchy of every presentation known, by code prefix
	// (chapter 2 characters, section 4, paragraph 6, sub-paragraph 7,
	// chemical 9, product 11); names are given for presentations only.
	`CREATE VIEW hscic.bnf AS
SELECT substr(bnf_code, 1, 2) AS chapter_code, NULL::VARCHAR AS chapter,
	substr(bnf_code, 1, 4) AS section_code, NULL::VARCHAR AS section,
	substr(bnf_code, 1, 6) AS para_code, NULL::VARCHAR AS para,
	substr(bnf_code, 1, 7) AS subpara_code, NULL::VARCHAR AS subpara,
	substr(bnf_code, 1, 9) AS chemical_code, NULL::VARCHAR AS chemical,
	substr(bnf_code, 1, 11) AS product_code, NULL::VARCHAR AS product,
	bnf_code AS presentation_code, name AS presentation
FROM hscic.presentation`,

	// The *_full views of OpenPrescribing's dm+d dataset are the tables
	// themselves here (bnf_code is already on them).
	`CREATE VIEW dmd.vmp_full AS SELECT * FROM dmd.vmp`,
	`CREATE VIEW dmd.amp_full AS SELECT * FROM dmd.amp`,
	`CREATE VIEW dmd.vmpp_full AS SELECT * FROM dmd.vmpp`,
	`CREATE VIEW dmd.ampp_full AS SELECT * FROM dmd.ampp`,

	// vw__dmd_objs_with_form_route: every dm+d object with a BNF code that
	// is prescribed, with its VMP's form and route ("tablet.oral").
	`CREATE VIEW measures.vw__dmd_objs_with_form_route AS
WITH vmps AS (
	SELECT 'vmp' AS obj_type, 1 AS order_key, vmp.id AS vpid, vmp.id AS snomed_id, vmp.bnf_code, vmp.nm AS name, r.descr AS form_route
	FROM dmd.vmp JOIN dmd.ont ON vmp.id = ont.vmp JOIN dmd.ontformroute r ON ont.form = r.cd
), amps AS (
	SELECT 'amp', 2, amp.vmp, amp.id, amp.bnf_code, amp.descr, vmps.form_route
	FROM dmd.amp JOIN vmps ON amp.vmp = vmps.vpid WHERE amp.bnf_code IS NOT NULL
), vmpps AS (
	SELECT 'vmpp' AS obj_type, 3 AS order_key, vmpp.vmp AS vpid, vmpp.id AS snomed_id, vmpp.bnf_code, vmpp.nm AS name, vmps.form_route
	FROM dmd.vmpp JOIN vmps ON vmpp.vmp = vmps.vpid WHERE vmpp.bnf_code IS NOT NULL
), ampps AS (
	SELECT 'ampp', 4, vmpps.vpid, ampp.id, ampp.bnf_code, ampp.nm, vmpps.form_route
	FROM dmd.ampp JOIN vmpps ON ampp.vmpp = vmpps.snomed_id WHERE ampp.bnf_code IS NOT NULL
), all_objs AS (
	SELECT * FROM vmps UNION ALL SELECT * FROM amps UNION ALL SELECT * FROM vmpps UNION ALL SELECT * FROM ampps
)
SELECT o.obj_type, o.vpid, o.snomed_id, o.bnf_code, o.name AS dmd_name, p.name AS bnf_name, o.form_route
FROM all_objs o JOIN hscic.presentation p ON o.bnf_code = p.bnf_code
ORDER BY o.bnf_code, o.order_key`,

	// vw__measure_conversion: factors to milligrams and millilitres.
	`CREATE VIEW measures.vw__measure_conversion AS
SELECT cd, descr,
	CASE cd WHEN 258682000 THEN 0.001 WHEN 258685003 THEN 1000 WHEN 258684004 THEN 1 END AS nmtr_unit_conversion,
	CASE cd WHEN 258770004 THEN 0.001 WHEN 258774008 THEN 1000 WHEN 258773002 THEN 1 END AS dnmtr_unit_conversion
FROM dmd.unitofmeasure ORDER BY descr`,

	// vw__median_price_per_unit: the median over practices of net cost per
	// unit, by month and presentation.
	`CREATE VIEW measures.vw__median_price_per_unit AS
SELECT month AS date, bnf_code, median(net_cost / quantity) AS median_price_per_unit
FROM hscic.normalised_prescribing WHERE quantity > 0
GROUP BY month, bnf_code ORDER BY bnf_code, date`,

	// vw__opioids_total_dmd: oral morphine equivalent (OME) doses of
	// opioid prescribing, from each VMP's ingredient strengths (in mg, per
	// ml) and form, and the OME table (measures.opioid_ing_form_ome). Both
	// branded and generic prescribing join the generic VMP's BNF code.
	`CREATE VIEW measures.vw__opioids_total_dmd AS
WITH simp_form AS (
	SELECT DISTINCT ont.vmp,
		CASE WHEN f.descr LIKE '%injection%' THEN 'injection'
			WHEN f.descr LIKE '%infusion%' THEN 'injection'
			WHEN f.descr LIKE 'filmbuccal.buccal' THEN 'film'
			ELSE substr(f.descr, strpos(f.descr, '.') + 1) END AS simple_form
	FROM dmd.ont JOIN dmd.ontformroute f ON f.cd = ont.form
), norm_vpi AS (
	SELECT vpi.vmp, vpi.ing, vpi.strnt_nmrtr_val, vpi.strnt_nmrtr_uom,
		un.descr AS num_unit, ud.descr AS den_unit,
		CASE WHEN un.descr = 'microgram' THEN vpi.strnt_nmrtr_val / 1000
			WHEN un.descr = 'gram' THEN vpi.strnt_nmrtr_val * 1000
			WHEN un.descr = 'mg' THEN vpi.strnt_nmrtr_val END AS strnt_nmrtr_val_mg,
		CASE WHEN ud.descr = 'litre' THEN vpi.strnt_dnmtr_val * 1000
			WHEN ud.descr = 'ml' THEN vpi.strnt_dnmtr_val END AS strnt_dnmtr_val_ml
	FROM dmd.vpi
	LEFT JOIN dmd.unitofmeasure un ON vpi.strnt_nmrtr_uom = un.cd
	LEFT JOIN dmd.unitofmeasure ud ON vpi.strnt_dnmtr_uom = ud.cd
)
SELECT rx.month, rx.practice, rx.pct, vpi.strnt_dnmtr_val_ml, sum(rx.quantity) AS quantity,
	ing.id, ing.nm, rx.bnf_code, rx.bnf_name, vpi.strnt_nmrtr_val_mg,
	sum(CASE
		WHEN rx.bnf_code LIKE '0407020A0%BJ' OR rx.bnf_code LIKE '0407020A0%BP' THEN (rx.net_cost / 4.56 * o.ome * vpi.strnt_nmrtr_val_mg) / coalesce(vpi.strnt_dnmtr_val_ml, 1)
		WHEN ing.id = 373492002 AND form.simple_form = 'transdermal' THEN (rx.quantity * o.ome * vpi.strnt_nmrtr_val_mg * 72) / coalesce(vpi.strnt_dnmtr_val_ml, 1)
		WHEN ing.id = 387173000 AND form.simple_form = 'transdermal' AND vpi.strnt_nmrtr_val IN (5, 10, 15, 20) THEN (rx.quantity * o.ome * vpi.strnt_nmrtr_val_mg * 168) / coalesce(vpi.strnt_dnmtr_val_ml, 1)
		WHEN ing.id = 387173000 AND form.simple_form = 'transdermal' AND vpi.strnt_nmrtr_val IN (35, 52.5, 70) THEN (rx.quantity * o.ome * vpi.strnt_nmrtr_val_mg * 96) / coalesce(vpi.strnt_dnmtr_val_ml, 1)
		WHEN form.simple_form = 'injection' THEN (rx.quantity * o.ome * vpi.strnt_nmrtr_val_mg * vmp.udfs) / coalesce(vpi.strnt_dnmtr_val_ml, 1)
		ELSE (rx.quantity * o.ome * vpi.strnt_nmrtr_val_mg) / coalesce(vpi.strnt_dnmtr_val_ml, 1)
	END) AS ome_dose,
	o.ome
FROM norm_vpi vpi
JOIN dmd.ing ON vpi.ing = ing.id
JOIN dmd.vmp ON vpi.vmp = vmp.id
JOIN simp_form form ON vmp.id = form.vmp
JOIN measures.opioid_ing_form_ome o ON o.vpi = ing.id AND o.form = form.simple_form
JOIN hscic.normalised_prescribing rx
	ON substr(rx.bnf_code, 1, 9) || 'AA' || substr(rx.bnf_code, -2, 2) = substr(vmp.bnf_code, 1, 11) || substr(vmp.bnf_code, -2, 2)
WHERE rx.bnf_code NOT LIKE '0410%'
GROUP BY rx.month, rx.practice, rx.pct, ing.id, ing.nm, rx.bnf_code, rx.bnf_name, vpi.strnt_nmrtr_val, vpi.strnt_nmrtr_val_mg, vpi.strnt_dnmtr_val_ml, o.ome`,

	// OpenPrescribing's opioidome reads the view under a test name.
	`CREATE VIEW measures.vw__opioids_total_dmd_test AS SELECT * FROM measures.vw__opioids_total_dmd`,
	// Older definitions name the form-and-route view without its prefix.
	`CREATE VIEW measures.dmd_objs_with_form_route AS SELECT * FROM measures.vw__dmd_objs_with_form_route`,

	// vw__dmd_objs_hospital_only: hospital-only AMPs (availability
	// restriction 8) and their VMPs, with BNF codes that are prescribed.
	`CREATE VIEW measures.vw__dmd_objs_hospital_only AS
WITH amps AS (
	SELECT 'amp' AS obj_type, 2 AS order_key, id AS snomed_id, vmp AS vpid, bnf_code, descr AS name FROM dmd.amp WHERE avail_restrict = 8
), vmps AS (
	SELECT 'vmp', 1, vmp.id, vmp.id, vmp.bnf_code, vmp.nm FROM dmd.vmp JOIN amps ON vmp.id = amps.vpid
), all_objs AS (SELECT * FROM amps UNION ALL SELECT * FROM vmps)
SELECT o.obj_type, o.snomed_id, o.bnf_code, o.name AS dmd_name, p.name AS bnf_name
FROM all_objs o JOIN hscic.presentation p ON o.bnf_code = p.bnf_code ORDER BY o.bnf_code, o.order_key`,
	`CREATE VIEW measures.dmd_objs_hospital_only AS SELECT * FROM measures.vw__dmd_objs_hospital_only`,

	// vw__herbal_list: the BNF codes of traditional herbal medicines
	// (licensing authority 4), leaving out appliances' 190203.
	`CREATE VIEW measures.vw__herbal_list AS
SELECT bnf_code FROM dmd.amp WHERE lic_auth = 4 AND bnf_code NOT LIKE '190203%' GROUP BY bnf_code`,
}
