# What content test applies (sandlot content test builtin-content/linux-basics): the
# challenge solved the way iximiuz Labs' CI scripts solve theirs.
# session: root@dev
mkdir -p /root/backup
examinerctl task wait verify_backup_dir
cp /root/challenge/logs/app.log /root/backup/
examinerctl task wait verify_copy
grep -c ERROR /root/challenge/logs/app.log > /root/backup/errors.txt
examinerctl task wait verify_error_count
grep -c WARN /root/challenge/logs/app.log | examinerctl task input verify_warn_answer
examinerctl task wait verify_warn_answer
