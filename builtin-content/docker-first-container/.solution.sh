# What content test applies (sandlot content test builtin-content/docker-first-container).
# session: laborant@dev
cd ~/app
docker build -t hello:v1 .
examinerctl task wait verify_image
docker run -d --name web -p 8080:8080 hello:v1
examinerctl task wait verify_container
examinerctl task wait verify_port --timeout 30s
docker ps -q | wc -l | examinerctl task input verify_count_answer
examinerctl task wait verify_count_answer
